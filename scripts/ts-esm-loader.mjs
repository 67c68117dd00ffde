// Runs the project's TypeScript sources under plain Node (ESM), for the few scripts that boot the app from source
// (src/app/write-openapi-document.ts): `node --import ./scripts/ts-esm-loader.mjs file.ts`.
// Each file is transpiled on its own with the project's compiler options (no type-check: `npm run typecheck`
// does that), and a relative `./x.js` import resolves to `./x.ts` when only the source exists.
import { register } from 'node:module';

register('./ts-esm-hooks.mjs', import.meta.url);
