import { freePort } from './ports';
import { Registry } from './registry';
import { createHosted, type HostedOptions } from './rest';
import type { TestWharf } from './wharf';

/** One hosted repository seen through the three addressing forms of the registry API. */
export interface HostedFixture {
  name: string;
  httpPort: number | null;
  /** Connector port: API at the root, names are images (without a connector: the prefixed form). */
  connector: Registry;
  /** Main port, `/v2/<repo>/<image>`: use `mainName(image)`. */
  main: Registry;
  /** Main port, `/repository/<repo>/v2/<image>`. */
  prefixed: Registry;
  mainName(image: string): string;
}

/** Creates a hosted repository with a connector on a free port (asserting 201). */
export async function hostedFixture(wharf: TestWharf, name: string, options: HostedOptions = {}): Promise<HostedFixture> {
  const httpPort = options.httpPort !== undefined ? options.httpPort : await freePort();
  await createHosted(wharf.http, name, { ...options, httpPort });
  const prefixed = new Registry(wharf.http, `/repository/${name}`);
  return {
    name,
    httpPort,
    connector: httpPort === null ? prefixed : new Registry(wharf.on(httpPort)),
    main: new Registry(wharf.http),
    prefixed,
    mainName: (image) => `${name}/${image}`,
  };
}

export type Form = 'connector' | 'main' | 'prefixed';
export const FORMS: Form[] = ['connector', 'main', 'prefixed'];

/** The registry and the name to use for `image` in one addressing form. */
export function via(fixture: HostedFixture, form: Form, image: string): { registry: Registry; name: string } {
  switch (form) {
    case 'connector':
      return { registry: fixture.connector, name: image };
    case 'main':
      return { registry: fixture.main, name: fixture.mainName(image) };
    case 'prefixed':
      return { registry: fixture.prefixed, name: image };
  }
}
