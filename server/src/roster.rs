//! The accounts, agents and customers the server knows (`--roster FILE`, JSON), so that
//! shouts carry the User and Customer views Papercups renders (PROTOCOL.md §6).
//!
//! ```
//! use phx_papercups_server::roster::Roster;
//! let roster = Roster::from_json(r#"{
//!     "account_id": "acc-1",
//!     "users": [{"id": 7, "email": "ada@example.com", "role": "admin",
//!                "created_at": "2022-05-10T20:59:40",
//!                "profile": {"display_name": "Ada", "full_name": "Ada Lovelace",
//!                            "profile_photo_url": "https://example.com/ada.png"}}],
//!     "customers": [{"id": "c6f1", "name": "Grace", "email": "grace@example.com"}]
//! }"#)?;
//! assert_eq!(roster.user(7).unwrap().email, "ada@example.com");
//! assert!(roster.customer("c6f1").is_some());
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::Deserialize;

/// The account every conversation belongs to in the demo roster.
pub const DEMO_ACCOUNT_ID: &str = "2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5";

/// An agent (Papercups `User`) and the optional profile that gives it a name and a photo.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct User {
    /// Integer id (the `user_id` connect param selects it).
    pub id: i64,
    /// Email address.
    pub email: String,
    /// `"admin"` or `"user"`.
    #[serde(default = "default_role")]
    pub role: String,
    /// `created_at` (no zone, as Papercups writes it).
    #[serde(default = "default_created_at")]
    pub created_at: String,
    /// When the user was disabled, if ever.
    #[serde(default)]
    pub disabled_at: Option<String>,
    /// When the user was archived, if ever.
    #[serde(default)]
    pub archived_at: Option<String>,
    /// The profile; without one, `display_name`, `full_name` and `profile_photo_url` are left
    /// out of the view (not null), as Papercups does.
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// A user's profile.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Profile {
    /// Shown name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Full name.
    #[serde(default)]
    pub full_name: Option<String>,
    /// Photo URL (the widget shows it next to agent messages).
    #[serde(default)]
    pub profile_photo_url: Option<String>,
}

/// A customer (a widget visitor).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[allow(missing_docs)] // the fields are Papercups' Customer fields, named as in its view
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub profile_photo_url: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub pathname: Option<String>,
    #[serde(default)]
    pub current_url: Option<String>,
    #[serde(default)]
    pub browser: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// Free-form metadata (a JSON object).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

fn default_role() -> String {
    "user".to_owned()
}

fn default_created_at() -> String {
    "2020-01-01T00:00:00".to_owned()
}

/// Everyone the server knows.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Roster {
    /// The account every conversation belongs to (`--account-id` overrides it).
    #[serde(default)]
    pub account_id: Option<String>,
    /// Agents.
    #[serde(default)]
    pub users: Vec<User>,
    /// Customers.
    #[serde(default)]
    pub customers: Vec<Customer>,
}

impl Roster {
    /// Parses a roster file's JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The built-in demo roster: one account, two agents (one with a profile), one customer.
    pub fn demo() -> Self {
        Self {
            account_id: Some(DEMO_ACCOUNT_ID.to_owned()),
            users: vec![
                User {
                    id: 1,
                    email: "alex@papercups.example".to_owned(),
                    role: "admin".to_owned(),
                    created_at: "2020-09-01T12:00:00".to_owned(),
                    disabled_at: None,
                    archived_at: None,
                    profile: Some(Profile {
                        display_name: Some("Alex".to_owned()),
                        full_name: Some("Alex Reichert".to_owned()),
                        profile_photo_url: Some("https://avatars.example/alex.png".to_owned()),
                    }),
                },
                User {
                    id: 2,
                    email: "kam@papercups.example".to_owned(),
                    role: "user".to_owned(),
                    created_at: "2020-10-01T12:00:00".to_owned(),
                    disabled_at: None,
                    archived_at: None,
                    profile: None,
                },
            ],
            customers: vec![Customer {
                id: "1b0cbd2c-4b8b-4c66-9c6f-8f5f0c2a7d11".to_owned(),
                name: Some("Demo Customer".to_owned()),
                email: Some("customer@example.com".to_owned()),
                host: Some("localhost:3000".to_owned()),
                browser: Some("Firefox".to_owned()),
                os: Some("Linux".to_owned()),
                created_at: Some("2020-11-01T09:30:00".to_owned()),
                updated_at: Some("2020-11-01T09:30:00".to_owned()),
                ..Customer::default()
            }],
        }
    }

    /// The agent with this id.
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The customer with this id.
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }
}
