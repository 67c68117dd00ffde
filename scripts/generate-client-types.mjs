// Writes test/client/schema.d.ts from the OpenAPI document (`npm run client:generate`), as openapi-typescript's CLI
// would, with one difference: a `format: binary` part (an upload) is a Blob, so a generated client passes a Blob or a
// File without a cast (openapi-typescript types it as string by default).
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import ts from 'typescript';

const [source = 'dist/openapi.json', target = 'test/client/schema.d.ts'] = process.argv.slice(2);
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
process.stdout.write(`${source} → ${target}\n`);
