"""The web chat (Gradio): the page, its rendering and how it is served."""
