import { expose } from 'comlink';
import { Importer } from './importer';

expose(new Importer());
