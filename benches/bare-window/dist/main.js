// After load, waits for the first frame to be painted (the second animation frame starts
// once the first has been presented), then calls the app's one command and shows its answer.
window.addEventListener('load', () => {
  requestAnimationFrame(() =>
    requestAnimationFrame(async () => {
      const answer = await window.__TAURI_INTERNALS__.invoke('painted', {
        sinceOriginMs: performance.now(),
      });
      document.getElementById('painted').textContent = answer;
    }),
  );
});
