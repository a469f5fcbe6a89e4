//! Settings → Connections and the header's target switcher: the saved Botbiz and Botmaker
//! connections, their test, and which one the window works against at the next start.

use botbat_console_core::connections::{
    Connection, ConnectionCheck, ConnectionEdit, Connections, NewConnection,
};
use botbat_console_core::{Console, Preferences};

adapters! {
    fn list_connections(connections: Connections) -> Vec<Connection> {
        connections.list()
    }

    fn add_connection(connections: Connections; input: NewConnection) -> Connection {
        connections.add(input).await
    }

    /// Renames, moves or re-keys a connection; its id, history and captures stay.
    fn edit_connection(connections: Connections; id: String, edit: ConnectionEdit) -> Connection {
        connections.edit(&id, edit).await
    }

    /// Removes the connection and its credential; when it was the active one, BotBat is
    /// the target again.
    fn remove_connection(connections: Connections, console: Console; id: String) -> Preferences {
        connections.remove(&id).await?;
        console.forget_connection(&id)
    }

    fn check_connection(connections: Connections; id: String) -> ConnectionCheck {
        connections.test(&id).await
    }

    /// Remembers the window's target (a connection's id, or `None` for BotBat) for the next
    /// start. An unknown id is refused, so a start never restores a connection that is gone.
    fn use_connection(connections: Connections, console: Console; id: Option<String>) -> Preferences {
        if let Some(id) = id.as_deref() {
            connections.get(id)?;
        }
        console.set_active_connection(id)
    }
}
