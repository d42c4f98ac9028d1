// zod/mini is tree-shakable where classic zod is not (it was 444 KiB of each bundle). Import it as
// `import * as z from 'zod/mini'` and use static member access only: re-exporting the namespace object would pull
// in all of it again. This module sets English error messages once; import it for that side effect.

import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
