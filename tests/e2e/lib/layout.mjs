// What scrolls sideways, one rule for every end-to-end test: the document, the body, the
// panel's scroll area (`main`), and any box inside the panel that is itself a scroller
// (`overflow-x: auto | scroll`). A box that merely overflows without scrolling is not
// checked on its own: its overflow would make one of those scrollers wide, and it is named
// there. Each finding names the deepest elements past the scroller's edge, so a failure says
// what to fix.

/** Returns `{ found, panelWidth }`: one line per scroller that scrolls sideways. */
export async function sidewaysScroll(browser, panelTestId) {
  return browser.execute((testId) => {
    const describe = (el) => {
      const id = el.getAttribute('data-testid');
      if (id) return `[data-testid="${id}"]`;
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${cls}`;
    };
    const pastTheEdge = (el) => {
      const edge = el.getBoundingClientRect().left + el.clientWidth;
      const beyond = (node) => node.getBoundingClientRect().right > edge + 0.5;
      return [...el.querySelectorAll('*')]
        .filter((child) => beyond(child) && ![...child.children].some(beyond))
        .slice(0, 5)
        .map((child) => `${describe(child)} right=${child.getBoundingClientRect().right.toFixed(1)} (edge ${edge.toFixed(1)})`);
    };
    const root = document.querySelector(`[data-testid="${testId}"]`);
    const content = root?.closest('main');
    const found = [];
    const check = (el, what) => {
      if (el && el.scrollWidth > el.clientWidth) {
        found.push(`${what}: scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}; past the edge: ${pastTheEdge(el).join(', ')}`);
      }
    };
    check(document.documentElement, 'document');
    check(document.body, 'body');
    check(content, 'panel scroll area (main)');
    for (const el of root ? root.querySelectorAll('*') : []) {
      const { overflowX } = getComputedStyle(el);
      if (overflowX === 'auto' || overflowX === 'scroll') check(el, describe(el));
    }
    return { found, panelWidth: root ? Math.round(root.getBoundingClientRect().width) : 0 };
  }, panelTestId);
}
