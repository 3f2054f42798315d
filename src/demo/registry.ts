/**
 * The demo's image registry: the tags sample-data.ts lists for each repository, with their creation
 * times, looked up by canonical name (`nginx`, `docker.io/library/nginx` and
 * `index.docker.io/library/nginx` are one repository) as fluxd's registry cache is. Like fluxd's
 * `ImageRepos.GetRepositoryMetadata`, a lookup gives the image refs in the spelling of the name it
 * was asked with.
 */
import { createHash } from 'node:crypto';
import { canonicalImageName, GoTime, imageInfo, imageNameString, imageRefString, parseImageRef, type ImageInfo, type ImageName, type ImageRef } from '../flux/model/index.js';
import type { ImageFacts, RepositoryMetadata } from '../flux/policy/index.js';

/** An image with the facts tag policies read. */
export interface DemoImage extends ImageFacts {
  readonly info: ImageInfo;
}

/** A repository's name in its canonical spelling (`nginx` → `index.docker.io/library/nginx`). */
export function canonicalKey(name: ImageName): string {
  return imageNameString(canonicalImageName(name));
}

interface StoredImage {
  tag: string;
  digest: string;
  createdAt: GoTime;
}

function demoImage(ref: ImageRef, stored: StoredImage): DemoImage {
  const info = imageInfo({ id: ref, digest: stored.digest, createdAt: stored.createdAt });
  const t = stored.createdAt;
  return { info, tag: ref.tag, ref: imageRefString(ref), createdNs: BigInt(t.unixSeconds) * 1_000_000_000n + BigInt(t.nanos) };
}

export class DemoRegistry {
  private readonly repositories = new Map<string, StoredImage[]>();

  /** `sample`: repository → `[tag, RFC 3339 creation time]` pairs. */
  constructor(sample: Readonly<Record<string, readonly (readonly [string, string])[]>>) {
    for (const [repository, tags] of Object.entries(sample)) {
      const name = parseImageRef(repository);
      this.repositories.set(
        canonicalKey(name),
        tags.map(([tag, created]) => ({
          tag,
          digest: 'sha256:' + createHash('sha256').update(`${canonicalKey(name)}:${tag}`).digest('hex'),
          createdAt: GoTime.fromDate(new Date(created)),
        })),
      );
    }
  }

  /** The repository's tags and images, refs spelled as `name` (empty when the registry has none). */
  repository(name: ImageName): RepositoryMetadata<DemoImage> {
    const stored = this.repositories.get(canonicalKey(name)) ?? [];
    const base = { domain: name.domain, image: name.image, sha: '' };
    return { tags: stored.map((s) => s.tag), images: new Map(stored.map((s) => [s.tag, demoImage({ ...base, tag: s.tag }, s)])) };
  }

  /** The image of `ref`'s repository and tag, if the registry has it (Go's `GetImage` succeeding). */
  image(ref: ImageRef): DemoImage | undefined {
    return this.repository(ref).images.get(ref.tag);
  }
}
