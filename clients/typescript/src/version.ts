// Written by `npm run client:generate` from the document's info.version: do not edit.
export const API_VERSION = "0.1.0";
