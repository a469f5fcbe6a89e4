// An error is shown next to the control that caused it, and a form that just failed brings
// that error into view: a dialog taller than the window, or a submit on Enter from the top
// field, would otherwise leave it below the fold. The first error in the form's order wins.

const ERROR = '[aria-invalid="true"], .field-error, [data-error-code]';

/** Scrolls the first error inside `root` into view and focuses the control it belongs to; false when there is none. */
export function revealError(root: ParentNode | null): boolean {
  const first = root?.querySelector<HTMLElement>(ERROR);
  if (!first) return false;
  const around = first.closest<HTMLElement>(".field, fieldset") ?? first;
  const control = first.matches('[aria-invalid="true"]')
    ? first
    : around.querySelector<HTMLElement>('[aria-invalid="true"]');
  control?.focus({ preventScroll: true });
  around.scrollIntoView?.({ block: "nearest" });
  return true;
}
