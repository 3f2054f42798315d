import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, link, safeHref } from './html.js';

test('every interpolation is escaped unless it is html already; arrays join; nullish and false vanish', () => {
  const hostile = `"><img src=x onerror=alert(1)><script>alert('x')</script>&`;
  const out = html`<td title="${hostile}">${hostile}</td>${[html`<b>${'<i>'}</b>`, 1, null, undefined, false, true]}`.text;
  assert.equal(out, '<td title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</td><b>&lt;i&gt;</b>1true');
});

test('safeHref lets through http(s) URLs and local paths only', () => {
  assert.equal(safeHref('https://github.com/a/b/commit/1'), 'https://github.com/a/b/commit/1');
  assert.equal(safeHref('/instances/demo'), '/instances/demo');
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', '//evil.example/x', '/\\evil.example', 'vbscript:x', 'not a url', ''])
    assert.equal(safeHref(bad), undefined, bad);
  assert.equal(link('javascript:alert(1)', '<x>').text, '&lt;x&gt;');
  assert.equal(link('https://h/"x', 'c').text, '<a href="https://h/%22x">c</a>');
});
