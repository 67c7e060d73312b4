from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def whoami(context):
    """Reads the user from the context: invisible to a template reader."""
    return getattr(context["request"].user, "email", "")


@register.simple_tag
def money(amount):
    return f"{amount:.2f} SAR"


class _ShoutNode(template.Node):
    def render(self, context):
        return str(context.get("user", "")).upper()


@register.tag
def shout(parser, token):
    return _ShoutNode()


@register.filter
def cart_items(session):
    """A filter given the whole session (a cart badge): what it shows is the session's data."""
    return ", ".join(session.get("cart", [])) or "empty"
