import { expose } from 'comlink';
import { createShareApi } from './share-analysis';

expose(createShareApi());
