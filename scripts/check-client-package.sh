#!/usr/bin/env bash
# The client package as a third party gets it (`npm run client:check`, run in CI):
#  1. the API version agrees everywhere: the committed document's info.version, package.json, clients/typescript;
#  2. `npm pack` of clients/typescript builds it, and a fresh project installs the tarball, type-checks strict code
#     against it and imports it under Node;
#  3. a second generator, @hey-api/openapi-ts, generates a client from the committed document that type-checks
#     strictly (strict, noUncheckedIndexedAccess), so the document does not only suit openapi-typescript.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tsc="node $root/node_modules/typescript/bin/tsc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node -e '
  const read = (file) => JSON.parse(require("fs").readFileSync(file, "utf8"));
  const versions = {
    "openapi/tessera.openapi.json info.version": read("openapi/tessera.openapi.json").info.version,
    "package.json": read("package.json").version,
    "clients/typescript/package.json": read("clients/typescript/package.json").version,
  };
  if (new Set(Object.values(versions)).size !== 1) {
    console.error("the API version differs:", versions);
    process.exit(1);
  }
  console.log("API version " + Object.values(versions)[0] + " in the document and both packages");'

# 1. npm pack (prepack builds dist/ with tsc).
tarball=$(cd clients/typescript && npm pack --silent --pack-destination "$work" | tail -1)
echo "packed $tarball: $(tar -tzf "$work/$tarball" | tr '\n' ' ')"

# 2. A consumer project.
mkdir "$work/consumer"
cd "$work/consumer"
printf '{ "name": "consumer", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball"
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "lib": ["ES2022", "DOM"], "types": [], "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true }, "files": ["consumer.ts"] }
JSON
cat > consumer.ts <<'TS'
import { API_VERSION, createTesseraClient, type components, type paths } from '@tessera/client';

type User = components['schemas']['VanguardUserDto'];
const client = createTesseraClient({ baseUrl: 'http://localhost:3000', token: () => 'token', credentials: 'include' });
export async function firstName(): Promise<string | null | undefined> {
  const { data } = await client.GET('/api/me');
  const user: User | undefined = data?.data;
  return user?.first_name;
}
export const version: string = API_VERSION;
export type Me = paths['/api/me']['get'];
TS
$tsc -p tsconfig.json
node --input-type=module -e "
  const client = await import('@tessera/client');
  if (typeof client.createTesseraClient !== 'function' || !client.API_VERSION) throw new Error('the package exports nothing usable');
  console.log('@tessera/client ' + client.API_VERSION + ' installs from its tarball, type-checks strictly and imports');"

# 3. The second generator.
cd "$root"
node node_modules/@hey-api/openapi-ts/bin/run.js -i ./openapi/tessera.openapi.json -o "$work/hey-api/client" >"$work/hey-api.log" 2>&1 \
  || { cat "$work/hey-api.log" >&2; exit 1; }
cat > "$work/hey-api/tsconfig.json" <<'JSON'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "lib": ["ES2022", "DOM", "DOM.Iterable"], "types": [], "noUncheckedIndexedAccess": true, "skipLibCheck": false }, "include": ["client/**/*.ts"] }
JSON
$tsc -p "$work/hey-api/tsconfig.json"
echo "@hey-api/openapi-ts: $(ls "$work/hey-api/client" | tr '\n' ' ')generated from the committed document, type-checks strictly"
