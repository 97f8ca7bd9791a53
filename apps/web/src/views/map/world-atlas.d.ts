// world-atlas ships TopoJSON as plain .json files without types.
declare module 'world-atlas/*.json' {
  const topology: unknown;
  export default topology;
}
