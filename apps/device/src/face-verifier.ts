import { timingSafeEqual } from 'node:crypto';

/**
 * The phone's face check before enrollment and approval. Real apps run a matcher against the camera; the
 * simulator's default compares the live template it is given with the VDS `face` bytes, so a test can make
 * the check fail by passing another template.
 */
export interface FaceVerifier {
  matches(enrolledTemplate: Uint8Array, liveTemplate: Uint8Array): Promise<boolean>;
}

export class TemplateEqualityFaceVerifier implements FaceVerifier {
  async matches(enrolledTemplate: Uint8Array, liveTemplate: Uint8Array): Promise<boolean> {
    return enrolledTemplate.length === liveTemplate.length && timingSafeEqual(enrolledTemplate, liveTemplate);
  }
}
