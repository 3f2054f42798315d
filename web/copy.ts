/** Copy buttons (`button.copy[data-copy=<id of a textarea>]`), hidden until script can run them. */
export function enhanceCopyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button.copy[data-copy]')) {
    const target = document.getElementById(button.dataset.copy ?? '') as HTMLTextAreaElement | null;
    if (!target) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(target.value);
        button.textContent = 'Copied';
      } catch {
        target.select();
        button.textContent = 'Press Ctrl+C to copy';
      }
      setTimeout(() => (button.textContent = 'Copy'), 2500);
    });
  }
}
