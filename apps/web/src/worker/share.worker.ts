import { expose } from 'comlink';
import { analyseShare } from './share-analysis';
import type { ShareApi } from './share-protocol';

const api: ShareApi = { analyseShare };
expose(api);
