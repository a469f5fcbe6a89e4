//! The command palette's id search: an adapter over `botbat_console_core::lookup`.

use botbat_console_core::lookup::{self, IdLookup};
use botbat_console_core::tryit::TryIt;
use botbat_console_core::{Console, Inspectors, UsageCache};

adapters! {
    fn find_id(console: Console, usage: UsageCache, tryit: TryIt, inspectors: Inspectors; id: String) -> IdLookup {
        lookup::find_id(&console, &usage, &tryit, &inspectors, &id).await
    }
}
