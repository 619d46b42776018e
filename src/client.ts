// The client lives in src/client/; this path stays for the modules that import it from here.
export * from './client/client.js';
