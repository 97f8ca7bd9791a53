import { useState } from 'react';
import type { CorsAdvice } from '../import/url/errors';
import './url-import.css';

type Props = { advice: CorsAdvice };

/** The CORS rule to add, as an `az` command and as portal steps. */
export function CorsHelp({ advice }: Props) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(advice.azCommand).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div className="cors-help" data-testid="cors-help">
      <p className="cors-help__heading">With the Azure CLI:</p>
      <div className="cors-help__command">
        <pre>
          <code data-testid="cors-command">{advice.azCommand}</code>
        </pre>
        <button type="button" className="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="cors-help__heading">Or in the Azure portal:</p>
      <ol className="cors-help__steps">
        {advice.portalSteps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </div>
  );
}
