// The one way a panel polls. Polling costs the user's rate limit (the console's own calls
// go to the same platform with the same key), so a poll runs only while the window is
// shown: nothing while it is hidden or minimised, and one catch-up call when it is shown
// again. Polls are meant to be started in an `$effect`, whose cleanup stops them.

export interface PollOptions {
  /** Also run at once, before the first interval. */
  now?: boolean;
}

function shown(): boolean {
  return document.visibilityState === "visible";
}

/**
 * Runs `work` every `ms` while the window is visible; returns the function that stops it.
 * While the window is hidden no timer runs at all, so a hidden console does not wake up.
 * Displayed clocks (relative times, countdowns) tick through it too: times nobody can see
 * need no ticks.
 */
export function pollWhileVisible(ms: number, work: () => void, options: PollOptions = {}): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const start = () => {
    if (timer === null) timer = setInterval(work, ms);
  };
  const pause = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const onVisibility = () => {
    if (shown()) {
      work();
      start();
    } else {
      pause();
    }
  };
  if (shown()) {
    if (options.now) work();
    start();
  }
  document.addEventListener("visibilitychange", onVisibility);
  return () => {
    pause();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
