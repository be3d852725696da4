// Minimal typings for the parts of autocannon the benchmark uses.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (req: any, context: any) => any;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      /** Sent with every request; a request's own headers win. */
      headers?: Record<string, string>;
      requests?: Request[];
    }
    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
    }
    type Instance = EventEmitter & PromiseLike<Result> & { stop(): void };
  }
  function autocannon(opts: autocannon.Options): autocannon.Instance;
  export default autocannon;
}
