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

/** Runs `work` every `ms` while the window is visible; returns the function that stops it. */
export function pollWhileVisible(ms: number, work: () => void, options: PollOptions = {}): () => void {
  const tick = () => {
    if (shown()) work();
  };
  if (options.now) tick();
  const timer = setInterval(tick, ms);
  document.addEventListener("visibilitychange", tick);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", tick);
  };
}
