/** Filters the instance page's workloads as you type or pick a namespace (the form still works without it). */
export function enhanceWorkloadFilter(): void {
  const form = document.getElementById('workload-filter') as HTMLFormElement | null;
  const table = document.getElementById('workloads');
  if (!form || !table) return;
  const ns = form.querySelector<HTMLSelectElement>('select[name=ns]');
  const q = form.querySelector<HTMLInputElement>('input[name=q]');
  const count = document.getElementById('workload-count');
  const groups = [...table.querySelectorAll<HTMLElement>('tbody.workload')];
  const apply = () => {
    const text = (q?.value ?? '').trim().toLowerCase();
    const namespace = ns?.value ?? '';
    let shown = 0;
    for (const g of groups) {
      const visible = (!namespace || g.dataset.ns === namespace) && (!text || (g.dataset.search ?? '').includes(text));
      g.hidden = !visible;
      if (visible) shown++;
    }
    if (count) count.textContent = `${shown} of ${groups.length} workload(s)`;
    const params = new URLSearchParams();
    if (namespace) params.set('ns', namespace);
    if (text) params.set('q', text);
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  };
  q?.addEventListener('input', apply);
  ns?.addEventListener('change', apply);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
}
