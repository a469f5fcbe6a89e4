import { mount } from "svelte";
import "./app.css";
import "./forms.css";
import App from "./App.svelte";
import { markGenericFonts } from "./lib/theme";

markGenericFonts();

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");

export default mount(App, { target });
