import type { Plugin } from 'vite';

/**
 * The Content-Security-Policy of the built site. It goes into index.html as
 * a <meta> tag, because a static host (an Azure Storage static website in
 * particular) cannot be relied on to send headers. A host that can send
 * headers should send the same text as a `Content-Security-Policy` header:
 * only a header binds the module worker too (a worker fetched over HTTP
 * takes its policy from its own response, not from the page's <meta>).
 *
 * Not in development: Vite's dev server injects inline scripts for hot
 * reloading, which this policy rightly refuses.
 */

/**
 * Where a capture URL may point. A capture link names any storage account,
 * so each Azure cloud's blob endpoint is allowed with a wildcard for the
 * account: public, China, US Government, and the DNS-zone endpoints
 * (`account.z01.blob.storage.azure.net`). A storage account behind a
 * custom domain needs its host added here.
 */
const STORAGE_ENDPOINTS = [
  'https://*.blob.core.windows.net',
  'https://*.blob.core.chinacloudapi.cn',
  'https://*.blob.core.usgovcloudapi.net',
  'https://*.blob.storage.azure.net',
];

/**
 * The machine itself, on any port: a storage emulator (Azurite) or a
 * local copy of a capture served for the browser. Chromium does not take
 * an IPv6 literal ([::1]) in a policy, so only these two names.
 */
const LOOPBACK = [
  'http://127.0.0.1:*',
  'https://127.0.0.1:*',
  'http://localhost:*',
  'https://localhost:*',
];

/** Each directive with the reason for its sources. */
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string[]]> = [
  // Anything not named below: this site only.
  ['default-src', ["'self'"]],
  // Scripts only from this site: no inline script, no eval. WebAssembly
  // compilation is allowed ('wasm-unsafe-eval' permits compiling WASM
  // modules, not eval of JavaScript) so that a WASM parsing kernel can be
  // added without loosening anything else.
  ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
  // The import worker and the service worker, both files of this site.
  ['worker-src', ["'self'"]],
  // The built stylesheet only; React sets element styles through the
  // CSSOM, which a policy does not restrict.
  ['style-src', ["'self'"]],
  // Icons of this site; data: and blob: for images drawn by the page.
  ['img-src', ["'self'", 'data:', 'blob:']],
  ['font-src', ["'self'"]],
  ['connect-src', ["'self'", ...STORAGE_ENDPOINTS, ...LOOPBACK]],
  ['manifest-src', ["'self'"]],
  ['media-src', ["'none'"]],
  ['object-src', ["'none'"]],
  ['frame-src', ["'none'"]],
  // A <base> injected into the page could redirect every relative URL.
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
];

/** The policy as one header value. */
export function contentSecurityPolicy(): string {
  return CSP_DIRECTIVES.map(([name, sources]) =>
    [name, ...sources].join(' '),
  ).join('; ');
}

/**
 * Puts the policy above into the built index.html, right after the
 * charset (which must come first) and before any script or stylesheet, so
 * that it covers all of them.
 */
export function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'capscope:csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // The policy has no double quotes, so it needs no escaping here.
        const meta =
          '<meta http-equiv="Content-Security-Policy" ' +
          `content="${contentSecurityPolicy()}" />`;
        const charset = /<meta charset="[^"]*"\s*\/?>/i;
        if (!charset.test(html)) {
          throw new Error('index.html needs <meta charset> for the CSP');
        }
        return html.replace(charset, (tag) => `${tag}\n    ${meta}`);
      },
    },
  };
}
