/**
 * Why opening a capture by URL failed, as the page reports it in
 * `error-message` `data-kind` (DESIGN.md). No message ever carries the
 * SAS token: only the URL without its query, or the label made from it.
 */
export type UrlErrorKind =
  /** Not a blob URL we can fetch: a paste mistake, or a page that can't. */
  | 'bad-url'
  /** The host answered, but its CORS rules do not admit this page. */
  | 'cors'
  /** Nothing answered: offline, a wrong host name, a firewall. */
  | 'network'
  | 'sas-expired'
  | 'sas-not-yet-valid'
  /** The token does not grant reading this blob. */
  | 'sas-permission'
  /** The storage service refused the token itself (signature, rules). */
  | 'auth-failed'
  | 'not-found'
  | 'range-not-satisfiable'
  /** The blob was replaced while it downloaded; its parts do not fit. */
  | 'blob-changed'
  /** Any other answer of the storage service (a 5xx, an archived blob). */
  | 'storage-error';

/** The CORS rule a storage account needs for this page, ready to apply. */
export interface CorsAdvice {
  /** The page's origin, which the rule admits. */
  origin: string;
  /** The storage account, when the URL names one. */
  account: string | null;
  methods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAgeSeconds: number;
  /** One `az storage cors add` command line. */
  azCommand: string;
  /** The same rule through the Azure portal, one step a line. */
  portalSteps: string[];
}

export interface UrlError {
  kind: UrlErrorKind;
  /** Sentences for people: what happened and what to do. */
  message: string;
  /** Set for `cors` and `network`: the rule to add. */
  cors?: CorsAdvice;
}
