export interface StaticServerOptions {
  /** Folder to serve, usually apps/web/dist. */
  root: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 0, which picks a free port. */
  port?: number;
  /** URL path the folder is served at; defaults to `/`. */
  basePath?: string;
  /** Added to every file served, for example a Content-Security-Policy. */
  headers?: Record<string, string>;
}

export interface StaticServer {
  /** Address of the served folder, ending in `/`, with the bound port. */
  readonly url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

export function serveStatic(
  options: StaticServerOptions,
): Promise<StaticServer>;
