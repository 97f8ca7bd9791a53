import { useEffect, useState } from 'react';
import { useFilter } from '../filter/filter-context';
import { useViews } from './views-context';

export type QueryState<T> =
  | { status: 'loading'; data: T | null }
  | { status: 'done'; data: T }
  | { status: 'error'; data: T | null; message: string };

/**
 * Asks the worker again whenever the filter, the capture or the views'
 * settings change (and when `deps` do); an answer to an older question is
 * dropped. The last answer stays shown while the next one loads.
 */
export function useViewQuery<T>(
  query: (views: ReturnType<typeof useViews>) => Promise<T>,
  deps: readonly unknown[],
): QueryState<T> {
  const views = useViews();
  const { version } = useFilter();
  const [state, setState] = useState<QueryState<T>>({
    status: 'loading',
    data: null,
  });

  useEffect(() => {
    let current = true;
    setState((previous) => ({ status: 'loading', data: previous.data }));
    query(views).then(
      (data) => {
        if (current) setState({ status: 'done', data });
      },
      (error: unknown) => {
        if (!current) return;
        const text = error instanceof Error ? error.message : String(error);
        setState((previous) => ({ status: 'error', data: previous.data,
          message: text.split('\n')[0] }));
      },
    );
    return () => {
      current = false;
    };
    // The query closes over `views` and `deps`; those are its inputs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [views.api, views.revision, version, ...deps]);

  return state;
}
