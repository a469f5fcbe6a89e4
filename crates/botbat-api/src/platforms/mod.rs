//! The wire formats of the two other platforms in the docs, Botbiz and Botmaker, defined once
//! for their stand-ins and for the console's connections to them. Each platform is its own
//! module: BotBat's types above know nothing of them.

pub mod botbiz;
pub mod botmaker;
