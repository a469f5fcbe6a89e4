//! Webhook signatures: the platform signs with Standard Webhooks, and the console's
//! inspector verifies that and the other schemes developers meet.
//!
//! The sandbox signs its deliveries with [`standard::sign`], and the inspector verifies them
//! with the same module, so both sides of a delivery share one definition of the scheme.

pub mod standard;
