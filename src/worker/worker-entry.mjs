// The worker thread's entry point. A worker does not inherit tsx's loader from `tsx src/main.ts`
// (privatenumber/tsx#354), so it registers tsx itself before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
