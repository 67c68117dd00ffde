// Writes clients/typescript/src/schema.ts from the committed OpenAPI document (`npm run client:generate`), as openapi-typescript's CLI
// would, with one difference: a `format: binary` part (an upload) is a Blob, so a generated client passes a Blob or a
// File without a cast (openapi-typescript types it as string by default).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import ts from 'typescript';

const [source = 'openapi/tessera.openapi.json', target = 'clients/typescript/src/schema.ts'] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const document = JSON.parse(await readFile(source, 'utf8'));
const ast = await openapiTS(document, {
  transform(schemaObject) {
    if (schemaObject.format !== 'binary') return undefined;
    return schemaObject.nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
  },
});
await writeFile(target, COMMENT_HEADER + astToString(ast));
// The client states the API version it was generated from (clients/typescript exports it as API_VERSION).
await writeFile(
  path.join(path.dirname(target), 'version.ts'),
  `// Written by \`npm run client:generate\` from the document's info.version: do not edit.\nexport const API_VERSION = ${JSON.stringify(document.info.version)};\n`,
);
process.stdout.write(`${source} → ${target}\n`);
