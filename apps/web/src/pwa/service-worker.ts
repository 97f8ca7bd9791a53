/**
 * Registers the service worker that the build writes beside index.html
 * (build/service-worker.js), and tells the page when a newer build has
 * been installed and waits to take over.
 *
 * Only in a production build, and only in a secure context (https, or
 * loopback): elsewhere browsers offer no service workers, and the app
 * simply needs the network each time it is opened.
 */

/** How often an open page asks its host whether a new build is out. */
const UPDATE_CHECK_INTERVAL_MS = 30 * 60 * 1000;

type Listener = () => void;

let waiting: ServiceWorker | null = null;
const listeners = new Set<Listener>();

/** Whether a new build is installed and waits for the page to reload. */
export function updateReady(): boolean {
  return waiting !== null;
}

export function onUpdateReady(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Lets the waiting build take over, then reloads onto it. */
export function applyUpdate(): void {
  if (!waiting) return;
  navigator.serviceWorker.addEventListener(
    'controllerchange',
    () => window.location.reload(),
    { once: true },
  );
  waiting.postMessage({ type: 'skip-waiting' });
}

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  if (!window.isSecureContext) return;

  // Relative, with scope './': the app works under any path prefix.
  navigator.serviceWorker
    .register('./sw.js', { scope: './', updateViaCache: 'none' })
    .then(watch)
    .catch((error: unknown) => {
      // The app works without it; it only cannot open offline.
      console.info('offline: service worker not registered:', String(error));
    });
}

function watch(registration: ServiceWorkerRegistration): void {
  // A build found before this script ran: installed on an earlier visit
  // while another tab held on, or still installing now.
  if (registration.waiting) track(registration.waiting);
  if (registration.installing) track(registration.installing);
  registration.addEventListener('updatefound', () => {
    if (registration.installing) track(registration.installing);
  });

  const check = () => {
    // Offline or the host is down: the next check will do.
    registration.update().catch(() => undefined);
  };
  setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
}

/**
 * Announces a worker once it is installed, unless it is the first one: a
 * page without a controller has no older build to replace.
 */
function track(worker: ServiceWorker): void {
  const announceIfInstalled = () => {
    if (worker.state === 'installed' && navigator.serviceWorker.controller) {
      announce(worker);
    }
  };
  announceIfInstalled();
  worker.addEventListener('statechange', announceIfInstalled);
}

function announce(worker: ServiceWorker): void {
  waiting = worker;
  for (const listener of listeners) listener();
}
