/**
 * The release form: "all workloads" unticks (and disables) the individual ones; the image list is
 * usable only when "this image" is chosen. Without script the server checks the same.
 */
export function enhanceReleaseForm(): void {
  const form = document.getElementById('release-form');
  if (!form) return;
  const all = form.querySelector<HTMLInputElement>('#w-all');
  const each = [...form.querySelectorAll<HTMLInputElement>('.workload-choices input[type=checkbox]')];
  const one = form.querySelector<HTMLInputElement>('#img-one');
  const latest = form.querySelector<HTMLInputElement>('#img-latest');
  const select = form.querySelector<HTMLSelectElement>('#image');
  const sync = () => {
    for (const c of each) c.disabled = all?.checked ?? false;
    if (select) select.disabled = !(one?.checked ?? false);
  };
  all?.addEventListener('change', sync);
  one?.addEventListener('change', sync);
  latest?.addEventListener('change', sync);
  sync();
}
