// Writes src/metadata.ts: the @nestjs/swagger plugin's view of every DTO and controller, read by setupOpenApi.
// One document for `nest build`, `npm start` and the tests (ts-jest cannot run the plugin itself).
// Run after changing a DTO or a controller: `npm run openapi:metadata`. CI fails when the committed file is stale.
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';

const generator = new PluginMetadataGenerator();
generator.generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: ['.dto.ts'],
      controllerFileNameSuffix: ['.controller.ts'],
      pathToSource: new URL('../src', import.meta.url).pathname,
    }),
  ],
  outputDir: new URL('../src', import.meta.url).pathname,
  tsconfigPath: 'tsconfig.build.json',
  filename: 'metadata.ts',
  printDiagnostics: false,
});
