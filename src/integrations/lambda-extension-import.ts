// `NODE_OPTIONS=--import=handlerstats/lambda/extension`: registers the extension while the runtime starts,
// before it loads the handler (a CommonJS handler has no top-level await to call registerExtension from).
// Its own entry: the top-level await below stays out of the chunks the `require()`-able entries share.
import { publishExtension } from './lambda-extension.js';
import {
  type ExtensionRegistration,
  extensionDeps,
  extensionSlot,
  notRegisteredMessage,
} from './lambda-handoff.js';

/** What registering the extension at startup gave (it never throws). */
export const registration: ExtensionRegistration = await (
  extensionSlot() ?? publishExtension({}, extensionDeps(undefined))
).registration;

// Quiet where nothing degrades (Managed Instances use background mode) or nothing can be done (a worker
// thread started by the function inherits NODE_OPTIONS).
if (
  !registration.registered &&
  registration.reason !== 'managed-instances' &&
  registration.reason !== 'worker-thread'
)
  console.warn(`[handlerstats] ${notRegisteredMessage(registration)}`);
