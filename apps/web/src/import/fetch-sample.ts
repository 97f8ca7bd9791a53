import type { PageError } from './use-capture-import';

/** Relative, so that the page works under any path prefix. */
const SAMPLE_URL = './sample.pcap';
export const SAMPLE_NAME = 'sample.pcap';

export type SampleFetch =
  { ok: true; blob: Blob } | { ok: false; error: PageError };

/** Fetches the sample capture shipped with the page. */
export async function fetchSample(): Promise<SampleFetch> {
  try {
    const response = await fetch(SAMPLE_URL);
    if (!response.ok) {
      return {
        ok: false,
        error: {
          kind: response.status === 404 ? 'not-found' : 'network',
          message:
            `The sample capture could not be fetched (HTTP ` +
            `${response.status}); this copy of Capscope may lack it.`,
        },
      };
    }
    return { ok: true, blob: await response.blob() };
  } catch {
    return {
      ok: false,
      error: {
        kind: 'network',
        message:
          'The sample capture could not be fetched: the server that ' +
          'serves this page did not answer.',
      },
    };
  }
}
