// Where a capture may have been taken, for the map's arcs: Azure regions
// with the coordinates Azure publishes for them (`az account
// list-locations`), rounded to a tenth of a degree.

export interface CaptureLocation {
  id: string;
  label: string;
  longitude: number;
  latitude: number;
}

export const CAPTURE_LOCATIONS: readonly CaptureLocation[] = [
  { id: 'eastus', label: 'East US (Virginia)', longitude: -79.8, latitude: 37.4 },
  { id: 'eastus2', label: 'East US 2 (Virginia)', longitude: -78.4, latitude: 36.7 },
  { id: 'centralus', label: 'Central US (Iowa)', longitude: -93.6, latitude: 41.6 },
  { id: 'northcentralus', label: 'North Central US (Illinois)', longitude: -87.6, latitude: 41.9 },
  { id: 'southcentralus', label: 'South Central US (Texas)', longitude: -98.5, latitude: 29.4 },
  { id: 'westus', label: 'West US (California)', longitude: -122.4, latitude: 37.8 },
  { id: 'westus2', label: 'West US 2 (Washington)', longitude: -119.9, latitude: 47.2 },
  { id: 'westus3', label: 'West US 3 (Arizona)', longitude: -112.1, latitude: 33.4 },
  { id: 'canadacentral', label: 'Canada Central (Toronto)', longitude: -79.4, latitude: 43.7 },
  { id: 'brazilsouth', label: 'Brazil South (São Paulo)', longitude: -46.6, latitude: -23.6 },
  { id: 'northeurope', label: 'North Europe (Ireland)', longitude: -6.3, latitude: 53.3 },
  { id: 'westeurope', label: 'West Europe (Netherlands)', longitude: 4.9, latitude: 52.4 },
  { id: 'uksouth', label: 'UK South (London)', longitude: -0.8, latitude: 50.9 },
  { id: 'francecentral', label: 'France Central (Paris)', longitude: 2.4, latitude: 46.4 },
  { id: 'germanywestcentral', label: 'Germany West Central (Frankfurt)', longitude: 8.7, latitude: 50.1 },
  { id: 'switzerlandnorth', label: 'Switzerland North (Zürich)', longitude: 8.6, latitude: 47.5 },
  { id: 'norwayeast', label: 'Norway East (Oslo)', longitude: 10.8, latitude: 59.9 },
  { id: 'swedencentral', label: 'Sweden Central (Gävle)', longitude: 17.1, latitude: 60.7 },
  { id: 'polandcentral', label: 'Poland Central (Warsaw)', longitude: 21.0, latitude: 52.2 },
  { id: 'italynorth', label: 'Italy North (Milan)', longitude: 9.2, latitude: 45.5 },
  { id: 'uaenorth', label: 'UAE North (Dubai)', longitude: 55.3, latitude: 25.3 },
  { id: 'southafricanorth', label: 'South Africa North (Johannesburg)', longitude: 28.2, latitude: -25.7 },
  { id: 'centralindia', label: 'Central India (Pune)', longitude: 73.9, latitude: 18.6 },
  { id: 'southeastasia', label: 'Southeast Asia (Singapore)', longitude: 103.8, latitude: 1.3 },
  { id: 'eastasia', label: 'East Asia (Hong Kong)', longitude: 114.2, latitude: 22.3 },
  { id: 'japaneast', label: 'Japan East (Tokyo)', longitude: 139.8, latitude: 35.7 },
  { id: 'koreacentral', label: 'Korea Central (Seoul)', longitude: 127.0, latitude: 37.6 },
  { id: 'australiaeast', label: 'Australia East (New South Wales)', longitude: 151.2, latitude: -33.9 },
];
