// How countries and address classes read on the page.

const CLASS_LABELS: Record<string, string> = {
  private: 'Private network',
  loopback: 'Loopback',
  'link-local': 'Link-local',
  cgnat: 'Carrier-grade NAT',
  multicast: 'Multicast / broadcast',
  documentation: 'Documentation range',
  azure: 'Azure (168.63.129.16)',
  reserved: 'Reserved range',
  local: 'Inside the home networks',
  '': 'Unknown',
  unknown: 'Unknown',
  other: 'Other',
};

let regionNames: Intl.DisplayNames | null = null;

/** True for an ISO 3166 alpha-2 code, false for a class or ''. */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** "Germany" for DE, "Private network" for private. */
export function countryName(code: string): string {
  if (!isCountryCode(code)) return CLASS_LABELS[code] ?? code;
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "DE", or a class's label: for narrow columns (the name is its title). */
export function countryShort(code: string): string {
  return isCountryCode(code) ? code : countryName(code);
}

/** "Germany (DE)", or a class's label. */
export function countryLabel(code: string): string {
  return isCountryCode(code) ? `${countryName(code)} (${code})`
    : countryName(code);
}
