/**
 * Swagger UI plugins, sent to the browser as source text (Nest serialises the functions into swagger-ui-init.js):
 * they may use nothing but their arguments and the page's globals.
 */


/** Swagger UI's own plugin for documents loaded by URL; listing plugins replaces the default list that holds it. */
export function downloadUrlPlugin(system: any): any {
  return (globalThis as any).SwaggerUIBundle.plugins.DownloadUrl(system);
}

/**
 * "Send empty value" starts unchecked. Swagger UI checks it for every form field left empty, so executing a
 * multipart form without choosing a file sends the file field as an empty text part, which the API refuses as an
 * unknown field.
 */
export function emptyValuesNotSentPlugin(): any {
  return {
    wrapComponents: {
      ParameterIncludeEmpty: (Original: any, system: any) => (props: any) =>
        system.React.createElement(Original, { ...props, isIncludedOptions: { ...props.isIncludedOptions, defaultValue: false } }),
    },
  };
}
