// Capscope's service worker. The build writes it to sw.js beside
// index.html, after two constants it fills in:
//
//   BUILD_ID  a hash of every file of the build; a new deployment has a
//             new one, so sw.js changes and the browser installs it
//   PRECACHE  every file of the build, relative to this script
//
// On install it stores the whole app; from then on the app's own files
// come from that cache first, so the page opens and analyses with the
// network off. Everything else (a capture's URL, with its SAS token, on
// another host) goes to the network untouched and is never stored.
//
// A new build installs beside the old one and waits: the open page keeps
// running on the files it started with. The page shows "A new version is
// ready" and, when the user asks, tells the new worker to take over
// ('skip-waiting'), then reloads. A page opened after every old one was
// closed gets the new build at once.

/* global BUILD_ID, PRECACHE */

/**
 * Several copies of the app may live on one origin under different paths;
 * each scope keeps its own caches and clears only its own old ones.
 */
const CACHE_PREFIX = `capscope:${self.registration.scope}:`;
const CACHE_NAME = CACHE_PREFIX + BUILD_ID;

const scopeUrl = new URL(self.registration.scope);
const INDEX_URL = new URL('index.html', scopeUrl).href;
const PRECACHED = new Set(PRECACHE.map((path) => new URL(path, scopeUrl).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE_NAME).then((cache) =>
      // 'no-cache' revalidates with the host, so a stale copy in the HTTP
      // cache (or a CDN's) cannot slip into a new build's cache.
      cache.addAll(
        [...PRECACHED].map((url) => new Request(url, { cache: 'no-cache' })),
      ),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME) {
          await caches.delete(name);
        }
      }
      // The first visit's page is served by this worker from now on.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Other hosts (storage accounts, with SAS tokens in the query) and
  // non-HTTP schemes are none of this worker's business.
  if (url.origin !== scopeUrl.origin) return;

  // The app's page under any query or fragment (#url=, ?url=, #ds=).
  if (request.mode === 'navigate' && isAppPage(url)) {
    event.respondWith(fromCache(INDEX_URL, request));
    return;
  }

  url.search = '';
  url.hash = '';
  if (PRECACHED.has(url.href)) event.respondWith(fromCache(url.href, request));
});

/** The scope's folder itself or its index.html, nothing else below it. */
function isAppPage(url) {
  return url.pathname === scopeUrl.pathname ||
    url.pathname === new URL(INDEX_URL).pathname;
}

/** This build's copy; the network only when the cache lost it. */
async function fromCache(key, request) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(key);
  if (!cached) return fetch(request);
  // A host that redirected index.html when it was stored: a navigation
  // may not be answered with a redirected response, so copy it clean.
  if (cached.redirected) {
    return new Response(cached.body, {
      status: cached.status,
      statusText: cached.statusText,
      headers: cached.headers,
    });
  }
  return cached;
}
