/**
 * Live updates over server-sent events (`/live`): new events are prepended to the timeline (when
 * they pass its filter), an instance's state and protocol cells and the fleet's connected count change
 * in place, a job's status block is replaced.
 * Every fragment is HTML the hub rendered with its escaping templates; nothing here builds markup
 * from a daemon's strings. A short note in a live region tells screen readers what changed.
 */
interface LiveData {
  instance: string;
  html?: string;
  htmlInstance?: string;
  connected?: boolean;
  /** The protocol cell's text (`v11`, `—`). */
  protocol?: string;
  id?: string;
  type?: string;
  workloads?: string[];
}

function announce(text: string): void {
  const status = document.getElementById('live-status');
  if (status) status.textContent = text;
}

function onEvent(d: LiveData, fleetWide: boolean): void {
  const timeline = document.getElementById('timeline');
  if (!timeline) return announce(`new event on ${d.instance}`);
  const type = timeline.dataset.filterType ?? '';
  const workload = timeline.dataset.filterWorkload ?? '';
  if (type && d.type !== type) return;
  if (workload && !(d.workloads ?? []).some((w) => w.includes(workload))) return;
  timeline.querySelector('li.empty')?.remove();
  timeline.insertAdjacentHTML('afterbegin', (fleetWide ? d.html : d.htmlInstance) ?? '');
  timeline.firstElementChild?.classList.add('fresh');
  announce(`new ${d.type ?? ''} event on ${d.instance}`);
}

function onInstance(d: LiveData): void {
  for (const row of document.querySelectorAll<HTMLElement>('tr[data-instance]')) {
    if (row.dataset.instance !== d.instance) continue;
    row.dataset.connected = String(d.connected);
    const cell = row.querySelector('td.state');
    if (cell && d.html) cell.innerHTML = d.html;
    const protocol = row.querySelector('td.protocol');
    if (protocol && d.protocol !== undefined) protocol.textContent = d.protocol;
  }
  const count = document.getElementById('connected-count');
  if (count) {
    const rows = document.querySelectorAll<HTMLElement>('tr[data-instance]');
    const connected = [...rows].filter((r) => r.dataset.connected === 'true').length;
    count.textContent = `${connected} of ${rows.length} instance(s) connected.`;
  }
  announce(`${d.instance} ${d.connected ? 'connected' : 'disconnected'}`);
}

function onJob(d: LiveData): void {
  const job = document.getElementById('job');
  if (!job || job.dataset.job !== d.id || !d.html) return;
  job.innerHTML = d.html;
  const stage = job.querySelector<HTMLElement>('#job-status')?.dataset.stage ?? '';
  announce(`job ${stage}`);
}

export function startLive(): void {
  const url = document.body.dataset.live;
  if (!url || typeof EventSource === 'undefined') return;
  const fleetWide = !new URL(url, location.href).searchParams.has('instance');
  const source = new EventSource(url);
  const handle = (f: (d: LiveData) => void) => (m: MessageEvent<string>) => {
    try {
      f(JSON.parse(m.data) as LiveData);
    } catch {
      // a malformed message is skipped
    }
  };
  source.addEventListener('open', () => announce('live'));
  source.addEventListener('error', () => announce(source.readyState === EventSource.CLOSED ? 'live updates stopped (reload the page)' : 'reconnecting…'));
  source.addEventListener('event', handle((d) => onEvent(d, fleetWide)));
  source.addEventListener('instance', handle(onInstance));
  source.addEventListener('job', handle(onJob));
}
