import { expose } from 'comlink';
import { createDatasetApi } from './dataset-api';
import { createFilterApi } from './filter-api';
import { createFindingsApi } from './findings-api';
import { Importer } from './importer';
import type { WorkerApi } from './protocol';
import { WorkerState } from './state';
import { createViewsApi } from './views-api';

// One state, and each feature's API made over it: one line per feature.
const state = new WorkerState();
const api: WorkerApi = {
  ...bind(new Importer(state)),
  ...createDatasetApi(state),
  ...createFilterApi(state),
  ...createViewsApi(state),
  ...createFindingsApi(state),
};

expose(api);

/** Own properties, as spreading needs them (it drops class methods). */
type Own<T> = { [K in keyof T]: T[K] };

/** A class instance's methods as own, bound properties, so they spread. */
function bind<T extends object>(instance: T): Own<T> {
  const out: Record<string, unknown> = {};
  let proto = Object.getPrototypeOf(instance) as object | null;
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (instance as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function') {
        out[name] ??= value.bind(instance);
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out as Own<T>;
}
