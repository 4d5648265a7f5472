/**
 * The typed description of Apple AGX GPU hardware: generations, variants and chip identities.
 * Every value that is part of the asahi UABI says so; every field says its unit.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package kiln.agx.api.hw;
