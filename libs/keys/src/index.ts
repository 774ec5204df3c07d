export { KeyMaterialEntity } from './key-material.entity.js';
export { KeyMaterialStore, type KeyMaterial, type NewKeyMaterial } from './key-material.store.js';
