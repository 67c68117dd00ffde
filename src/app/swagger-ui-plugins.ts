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

/**
 * The Authorize dialog offers bearer only. The session cookie's scheme (`session_cookie`, COOKIE_SCHEME: a literal
 * here, as plugins see nothing but the page) stays in the document, but it is never pasted: a sign-in with
 * `session: "cookie"` sets it, `HttpOnly`, and no page script could set one anyway.
 */
export function bearerOnlyAuthorizePlugin(): any {
  return {
    statePlugins: {
      spec: {
        wrapSelectors: {
          securityDefinitions:
            (original: any) =>
            (...args: any[]) => {
              const definitions = original(...args);
              return definitions?.delete ? definitions.delete('session_cookie') : definitions;
            },
        },
      },
    },
  };
}
