"""The scripts ``BrowserSession.measure`` runs inside a page: installed before any page script
(``OBSERVE_JS``: LCP and CLS), read after load (``COLLECT_JS``: navigation and resource timing, each
<img>'s choice), to load lazy images for the screenshot (``SCROLL_JS``) and after it
(``PHOTO_BOXES_JS``); and what the critical CSS proof compares on a first screen (``FIRST_SCREEN_STYLES_JS``).
JavaScript text only."""

from __future__ import annotations

__all__ = ["OBSERVE_JS", "SCROLL_JS", "COLLECT_JS", "PHOTO_BOXES_JS", "STILL_JS", "FIRST_SCREEN_STYLES_JS"]

# Installed before any page script runs. LCP is the last candidate; CLS is the largest session window
# (shifts less than 1 s apart, a window at most 5 s long), as web-vitals computes it.
OBSERVE_JS = """
(() => {
  const s = window.__assetopt = {lcp: null, cls: 0, win: 0, first: 0, last: 0};
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const el = e.element;
        s.lcp = {ms: e.startTime, url: e.url || '', tag: el ? el.tagName.toLowerCase() : '',
                 lazy: !!(el && el.getAttribute('loading') === 'lazy'), size: e.size};
      }
    }).observe({type: 'largest-contentful-paint', buffered: true});
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        if (s.win && e.startTime - s.last < 1000 && e.startTime - s.first < 5000) { s.win += e.value; }
        else { s.win = e.value; s.first = e.startTime; }
        s.last = e.startTime;
        s.cls = Math.max(s.cls, s.win);
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (err) { s.error = String(err); }
})();
"""
# behavior 'instant': with `scroll-behavior: smooth` (Bootstrap's :root sets it) a plain scrollTo only
# starts an animation, the next step cancels it, and lazy images below the first screen never load.
SCROLL_JS = """
async () => {
  const step = Math.max(200, window.innerHeight);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo({top: y, left: 0, behavior: 'instant'});
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  window.scrollTo({top: 0, left: 0, behavior: 'instant'});
  // an image without a box (display:none at this width) is not in the picture: a lazy one never loads
  await Promise.all([...document.images].map(i => i.complete || i.getClientRects().length === 0 ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 5000); })));
  // A full-page capture paints images outside the viewport again; decoding="async" ones whose decoded
  // bitmap was dropped come out blank (measured: 2-7 % of the example dashboard, at random). Decoding
  // synchronously for the picture changes no layout and no request; it was recorded before this runs.
  // Only loaded images: decode() of a lazy one that never loads (display:none at this width, a hero
  // shown on phones only) never settles, and the measurement hung; the timeout is a second guard.
  for (const i of document.images) i.decoding = 'sync';
  await Promise.all([...document.images].filter(i => i.complete && i.naturalWidth > 0).map(i =>
    Promise.race([i.decode().catch(() => null), new Promise(r => setTimeout(r, 5000))])));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""
# Read before the scroll that loads the rest for the screenshot, so it is what the first load did.
# renderBlockingStatus is Chromium's own verdict (Resource Timing level 3); initiatorType tells an
# <img> fetch from a CSS url() one; each <img>'s currentSrc (the srcset/<picture> choice) and its
# effective loading mode tell an eager <img> from a lazy one.
COLLECT_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map(e =>
    [e.name, e.transferSize, e.encodedBodySize, e.initiatorType || '', e.renderBlockingStatus || '']);
  const imgs = [...document.images].filter(i => i.currentSrc).map(i => [i.currentSrc, i.loading === 'lazy']);
  const s = window.__assetopt || {};
  return {load: nav ? nav.loadEventEnd : null, doc: nav ? [nav.name, nav.transferSize, nav.encodedBodySize, 'navigation', ''] : null,
          res: res, imgs: imgs, lcp: s.lcp || null, cls: s.cls || 0};
}
"""
# Document-coordinate boxes of the pictures a screenshot shows (loaded <img>, <picture> included),
# read right after it: where a re-encoded photo may differ pixel by pixel with nothing broken.
PHOTO_BOXES_JS = """
() => [...document.images].filter(i => i.complete && i.naturalWidth > 0).map(i => {
  const r = i.getBoundingClientRect();
  return [Math.round(r.left + window.scrollX), Math.round(r.top + window.scrollY), Math.round(r.width), Math.round(r.height)];
}).filter(b => b[2] > 0 && b[3] > 0)
"""

# Every element of <body> with a box on the first screen, by its index in document order: its name,
# its path (below), the part of its box on that screen and the computed values that show (a lost border is a few hundred pixels, far under a screenshot
# threshold, and still a different page).
FIRST_SCREEN_STYLES_JS = """
() => {
  const P = ['display', 'visibility', 'opacity', 'color', 'background-color', 'background-image',
    'border-top-style', 'border-right-style', 'border-bottom-style', 'border-left-style',
    'border-top-width', 'border-right-width', 'border-bottom-width', 'border-left-width',
    'border-top-color', 'border-right-color', 'border-bottom-color', 'border-left-color',
    'box-shadow', 'outline-style', 'font-family', 'font-size', 'font-weight', 'font-style',
    'text-decoration-line', 'text-transform', 'text-align', 'list-style-type'];
  const h = innerHeight, w = innerWidth;
  // A path from <body> by tag, id and place among same-tag siblings ('body > div:nth-of-type(2) > img'):
  // what names an element in a baseline and finds it in the page after a change. A <picture> is
  // transparent (assetopt's rewrite wraps an <img> in one: the same <img>); a <picture> itself has "".
  const up = (e) => { let p = e.parentElement; while (p && p.tagName === 'PICTURE') p = p.parentElement; return p; };
  const kids = (p) => [...p.children].flatMap(c => c.tagName === 'PICTURE' ? kids(c) : [c]);
  const path = (el) => {
    if (el.tagName === 'PICTURE') return '';
    const parts = [];
    for (let e = el; e && e !== document.body; ) {
      const p = up(e);
      if (!p) break;
      const same = kids(p).filter(c => c.tagName === e.tagName);
      let s = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
      if (same.length > 1) s += ':nth-of-type(' + (same.indexOf(e) + 1) + ')';
      parts.unshift(s);
      e = p;
    }
    return ['body', ...parts].join(' > ');
  };
  const els = document.body ? [document.body, ...document.body.querySelectorAll('*')] : [];
  const out = {};
  els.forEach((el, i) => {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.bottom <= 0 || r.top >= h || r.right <= 0 || r.left >= w) return;
    const cs = getComputedStyle(el);
    // the part of the box on the first screen (left top right bottom): a container that also holds
    // content further down (styled only when the bundle arrives) ends below the fold either way
    // (not <body>'s: its background paints the whole canvas, wherever its box ends)
    const v = el === document.body ? {} : {box: [Math.max(0, r.left), Math.max(0, r.top), Math.min(w, r.right), Math.min(h, r.bottom)].map(Math.round).join(' ')};
    for (const p of P) v[p] = cs.getPropertyValue(p);
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id; else if (el.classList.length) name += '.' + [...el.classList].slice(0, 3).join('.');
    out[i] = {name, path: path(el), v};
  });
  return {count: els.length, els: out};
}
"""
# as Playwright's screenshot(animations="disabled"), but for good: endless animations cancelled (the
# element's own style), finite ones and transitions finished; run before FIRST_SCREEN_STYLES_JS so the
# styles it reads are those the screenshot shows
STILL_JS = "() => { for (const a of document.getAnimations()) { if (a.effect && a.effect.getComputedTiming().endTime === Infinity) a.cancel(); else a.finish(); } }"
