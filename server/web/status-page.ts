/**
 * A small self-contained status page (no build step, no external assets: commune PCs are old and links
 * slow). Vietnamese first, English below each heading; texts come from the i18n catalogues.
 * The full leaders' dashboard is a later piece of work; this page answers "is anything being measured?".
 */
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };
import { FAULT_LAYERS } from '../../protocol/wire.js';

type Key = keyof typeof vi;
const both = (k: Key): string => `${esc(vi[k])}<br><small>${esc(en[k])}</small>`;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderStatusPage(opts: { demo: boolean }): string {
  const cols: Key[] = ['commune', 'service', 'target', 'kind', 'status', 'layer', 'latency', 'lastSeen', 'error'];
  const layerNames = Object.fromEntries(FAULT_LAYERS.map((l) => [l, vi[`layer_${l}`]]));
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(vi.title)}</title>
<style>
body{font-family:system-ui,Segoe UI,Arial,sans-serif;margin:1rem;color:#1a1a1a}
h1{font-size:1.3rem;margin:0}.sub{color:#555;margin:.2rem 0 1rem}
.demo{background:#fff3cd;border:1px solid #e0c060;padding:.5rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th small{font-weight:normal;color:#666}.up{color:#11691b;font-weight:bold}.down{color:#b00020;font-weight:bold}
td.err{color:#6b0010;font-size:.9em;max-width:28rem}
</style></head><body>
<h1>${esc(vi.title)}</h1><div class="sub">${esc(vi.subtitle)} · <small>${esc(en.subtitle)}</small></div>
${opts.demo ? `<div class="demo" role="note">${esc(vi.demoBanner)}<br><small>${esc(en.demoBanner)}</small></div>` : ''}
<table><thead><tr>${cols.map((c) => `<th>${both(c)}</th>`).join('')}</tr></thead><tbody id="rows"></tbody></table>
<p id="meta" class="sub"></p>
<script>
const T = ${JSON.stringify({ up: vi.up, down: vi.down, empty: vi.empty, updated: vi.updated, loadFailed: vi.loadFailed, blamedOn: vi.blamedOn, layers: layerNames })};
function esc(s){return String(s).replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c])}
async function load(){
  try{
    const r = await fetch('api/v1/status'); const d = await r.json();
    const rows = d.targets.map(t => '<tr><td>'+esc(t.commune)+'</td><td>'+esc(t.service)+'</td><td>'+esc(t.target)+'</td><td>'+esc(t.kind)+
      '</td><td class="'+(t.ok?'up':'down')+'">'+(t.ok?T.up:T.down)+'</td><td>'+(t.layer?esc(T.layers[t.layer]||t.layer)+(t.blame?' ('+esc(T.blamedOn)+' '+esc(t.blame)+')':''):'')+
      '</td><td>'+(t.latencyMs==null?'':t.latencyMs.toFixed(1)+' ms')+
      '</td><td>'+new Date(t.ts).toLocaleString('vi-VN')+'</td><td class="err">'+(t.error?esc(t.error.code+': '+t.error.message):'')+'</td></tr>');
    document.getElementById('rows').innerHTML = rows.join('') || '<tr><td colspan="9">'+esc(T.empty)+'</td></tr>';
    document.getElementById('meta').textContent = T.updated+' '+new Date(d.serverTime).toLocaleTimeString('vi-VN');
  }catch(e){document.getElementById('meta').textContent = T.loadFailed+': '+e}
}
load(); setInterval(load, 5000);
</script></body></html>`;
}
