import { useCallback, useEffect, useRef, useState } from 'react';
import { readHash, writeHash } from '../hash';
import { prepareUrlImport, type UrlImportRequest } from './url/open-url';
import type { CaptureImport } from './use-capture-import';

export interface UrlImport {
  /** Opens a pasted URL; false when it was refused before any fetch. */
  open(pasted: string): boolean;
  /** A plain-http URL waiting for the user's yes, or null. */
  pending: UrlImportRequest | null;
  confirm(): void;
  dismiss(): void;
}

/**
 * Opens blob URLs from the "Open URL" box and from `#url=` / `?url=` links.
 * A link's URL leaves the address bar (and this history entry) as soon as
 * it is read; only the URL without its query is shown or logged.
 */
export function useUrlImport({
  open: openSource,
  fail,
}: CaptureImport): UrlImport {
  const [pending, setPending] = useState<UrlImportRequest | null>(null);

  const start = useCallback(
    (request: UrlImportRequest) => openSource(request, request.label),
    [openSource],
  );

  const open = useCallback(
    (pasted: string) => {
      setPending(null);
      const prepared = prepareUrlImport(pasted, {
        origin: window.location.origin,
        protocol: window.location.protocol,
        nowMs: Date.now(),
      });
      if (!prepared.ok) {
        console.info(`url: not opened (${prepared.error.kind})`);
        fail(prepared.label, prepared.error);
        return false;
      }
      if (prepared.request.confirm) setPending(prepared.request);
      else start(prepared.request);
      return true;
    },
    [fail, start],
  );

  // The link is taken out of the address bar at once, and opened a tick
  // later: React's development mode mounts effects twice, and the ref
  // carries the URL over to the mount that stays.
  const linked = useRef<string | null>(null);
  useEffect(() => {
    const take = () => {
      const { url, ds, f } = readHash();
      if (url === undefined) return;
      writeHash({ ds, f });
      linked.current = url;
    };
    const openLinked = () => {
      const url = linked.current;
      linked.current = null;
      if (url !== null) open(url);
    };
    const onHashChange = () => {
      take();
      openLinked();
    };

    take();
    const timer = setTimeout(openLinked, 0);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('hashchange', onHashChange);
    };
  }, [open]);

  const confirm = useCallback(() => {
    if (pending) start(pending);
    setPending(null);
  }, [pending, start]);
  const dismiss = useCallback(() => setPending(null), []);

  return { open, pending, confirm, dismiss };
}
