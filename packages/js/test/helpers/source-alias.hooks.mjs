// A module resolve hook for the React test: `@tessera/js` and `@tessera/js/react` resolve to this
// package's sources (not dist/), so the seed fixture's unchanged import line and the test share
// one module instance (one React context) without a build.
const aliases = {
  '@tessera/js': '../../src/index.ts',
  '@tessera/js/react': '../../src/react/index.ts',
};

export async function resolve(specifier, context, nextResolve) {
  const target = aliases[specifier];
  return nextResolve(target ? new URL(target, import.meta.url).href : specifier, context);
}
